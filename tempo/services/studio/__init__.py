"""The authoring studio: authors' drafts in the database, their import/export, publishing."""
