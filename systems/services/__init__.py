"""The services of other systems: events and rules (`events`), webhooks (`webhooks`), clients (`clients`)."""
