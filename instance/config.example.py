# Copy to instance/config.py. Never commit the real file.
SECRET_KEY = "change-me-to-a-long-random-string"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://user@127.0.0.1:5432/sangkien"
# MAX_CONTENT_LENGTH = 10 * 1024 * 1024
