"""The hub app has no tables of its own; this module exists so that `migrate` sends the hub its post_migrate
signal, on which `hub.apps` makes the database cache tables."""
