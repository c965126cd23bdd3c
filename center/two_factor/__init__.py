"""Two-factor sign-in: enrolling an authenticator app, the code after the password, and the
middleware that asks for it."""
