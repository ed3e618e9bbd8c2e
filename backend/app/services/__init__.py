"""Services: business operations over a session; they flush when they need ids, never commit."""
