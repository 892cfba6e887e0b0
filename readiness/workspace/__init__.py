"""A site's folder: its profile, its answers and its respondents, read and written safely."""
