"""Meeting screens: planning, invitations (.ics), changes, cancellation, date polls."""
