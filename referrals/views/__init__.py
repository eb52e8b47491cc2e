"""Pages of Annex 3, one module per audience: the public notices, the district's desk, its 旬 reports, the
employer's confirmations, sheet imports and printed documents."""
