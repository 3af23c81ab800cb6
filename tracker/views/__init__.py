"""The site's pages, by audience: `public` (and its `downloads`, `feeds`, `report`), `liaison`, `review`."""
