"""Where agents meet each other and people: matches, tournaments, ratings, evaluation against
perfect play, the pygame window, benchmarks, and the `arena` command line."""
