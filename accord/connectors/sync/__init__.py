"""Pull sync: read a desk's changes through its REST API, page by page, from a cursor."""
