"""Where releases come from: a folder laid out like FUSE's dist/, or GitHub Releases."""
