"""Feedback (意见建议) from party members and the public, with answer deadlines."""
