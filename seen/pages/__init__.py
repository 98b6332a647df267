"""One module per route; each page's state sits beside it."""
