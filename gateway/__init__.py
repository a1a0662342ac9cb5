"""The HTTP/JSON door to Gongkai for web and mobile clients and other county systems."""
