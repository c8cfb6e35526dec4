"""From a file to chunks: parsers.py reads the supported formats, chunking.py cuts the text along its structure."""
