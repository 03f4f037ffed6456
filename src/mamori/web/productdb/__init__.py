"""Product versions held in the database with their content hash: the web application's catalogue.

At start, every version of the product folder is registered (its files stored with their hash); a
policy keeps the exact version record it was rated with, so it is changed and renewed-from with that
data even after a later version or an edited folder is registered.
"""
