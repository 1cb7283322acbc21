"""Small things every domain shares: ids, time, money, pagination, events."""
