"""The public JSON API: `urls`, `views` (endpoints), `serializers`, `schema` (paging, filters, OpenAPI)."""
