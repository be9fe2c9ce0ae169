"""The one-machine stack behind `make dev`: moto, chalice local, a proxy, a pump and an outbox."""
