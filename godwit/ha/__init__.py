"""High availability: fencing dead hosts through their BMCs (and, later, the HA monitor)."""
