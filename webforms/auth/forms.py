from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
    username = StringField("Login", validators=[InputRequired("Podaj login.")],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Hasło", validators=[InputRequired("Podaj hasło.")],
                             render_kw={"autocomplete": "current-password"})
