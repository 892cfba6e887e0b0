"""Draft documents: template pack, rendering to Markdown, and Markdown to DOCX for stakeholder review."""
