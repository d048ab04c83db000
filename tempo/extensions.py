"""Flask extensions, created without an app and bound in `create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_compress import Compress
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from tempo.models.base import Base

db = SQLAlchemy(model_class=Base)
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()
# Phones on weak networks: pages, scripts and JSON travel compressed (gzip, br or zstd).
compress = Compress()
