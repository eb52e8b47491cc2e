"""The web layer every app shares: middleware, view guards, forms and widgets, navigation, API errors."""
