"""IIIF's rules as pure functions: Image API requests and their answers, Presentation
documents, and the rights URIs IIIF accepts."""
