"""What the server adds around the API for browsers: the built page, security headers."""
