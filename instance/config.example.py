# Copy to instance/config.py. Never commit the real file.
SECRET_KEY = "change-me-to-a-long-random-string"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://user@127.0.0.1:5432/sangkien"
# MAX_CONTENT_LENGTH = 10 * 1024 * 1024
# BASE_URL = "https://sangkien.phuong.gov.vn"  # certificates' QR codes and the links in e-mailed notices
# E-mailed notices (without MAIL_SERVER they stay in the app's "Thông báo" list):
# MAIL_SERVER = "smtp.phuong.gov.vn"
# MAIL_PORT = 587
# MAIL_USE_TLS = True        # STARTTLS; or MAIL_USE_SSL = True for port 465
# MAIL_USERNAME = "sangkien@phuong.gov.vn"
# MAIL_PASSWORD = "…"
# MAIL_FROM = "Sáng kiến CCHC <sangkien@phuong.gov.vn>"
