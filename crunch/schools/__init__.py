"""Schools, school years and scenarios in the database (store), their pages (views) and the
district overview (overview)."""
