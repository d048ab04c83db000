"""Content: publishing scenario versions from content/ and the demo cohort."""
