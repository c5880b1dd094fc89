"""Articles from the web: one page by URL, or the items of an RSS 2.0 / Atom feed.

``guard`` decides which addresses may be fetched, ``fetching`` fetches within limits,
``pages`` extracts an article from HTML, ``feeds`` reads a feed and what changed since the last
poll, ``harvest`` turns URLs and feeds into ingested articles with a summary.
"""
