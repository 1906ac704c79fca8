"""Feeds of the upcoming public events for other sites and tools: an iCalendar feed, a JSON API
(documented by an OpenAPI file the app serves). Public fields only: never a join link, never
anything about who registered."""
