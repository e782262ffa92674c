"""Family on LINE: webhook, linking, relay of family messages and media, pushes to family."""
