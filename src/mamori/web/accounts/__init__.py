"""Users, roles (Django groups), businesses and agencies, API tokens and login throttling."""
