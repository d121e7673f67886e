"""Public opinion: posts, reviews and complaints from outside, classified by category,
negative or not, the parties they name linked to LiveGuard's, trends by day and spikes."""
