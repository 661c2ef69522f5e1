"""Meetings of a case: who sees and plans them, their invitations (.ics) and date polls."""
