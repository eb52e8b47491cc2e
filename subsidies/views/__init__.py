"""Pages of Annex 2, one module per audience: the claimant's claims, the city's reviews, printed documents."""
