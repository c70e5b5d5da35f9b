"""Questions over a store: the query layer, indicators, checks across reports."""
