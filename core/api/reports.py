from flask_smorest import Blueprint

blp = Blueprint("api_reports", __name__)
