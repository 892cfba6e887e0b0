"""The interview: an engine that walks the questions (no terminal needed) and the prompts that ask them."""
