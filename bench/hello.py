"""The baseline for served figures: a Flask hello-world, served exactly as the platform is."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
