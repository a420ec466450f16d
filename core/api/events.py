from flask_smorest import Blueprint

blp = Blueprint("api_events", __name__)
