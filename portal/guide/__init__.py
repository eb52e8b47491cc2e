"""操作指南: one guide per role, written as data (``content``), shown as pages and printed as PDFs (``views``).

The core imports no domain app, so a guide names the pages it sends people to by URL name only; a test
(tests/portal/test_guide.py) reverses each name and finds each button's words in the files that draw it."""
