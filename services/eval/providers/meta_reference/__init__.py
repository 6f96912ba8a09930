"""`inline::meta-reference`: eval jobs in the distribution's state store, run by a worker in
every eval service replica."""
