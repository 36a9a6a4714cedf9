"""Private, content-addressed storage of uploaded originals and avatars."""
