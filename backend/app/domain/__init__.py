"""The business vocabulary: ids and enums that appear in URLs, files and job records."""
