from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, InputRequired


class LoginForm(FlaskForm):
    username = StringField("Login", validators=[InputRequired("Podaj login.")],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Hasło", validators=[InputRequired("Podaj hasło.")],
                             render_kw={"autocomplete": "current-password"})


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("Obecne hasło", validators=[InputRequired("Podaj obecne hasło.")],
                                     render_kw={"autocomplete": "current-password", "autofocus": True})
    new_password = PasswordField("Nowe hasło", validators=[InputRequired("Podaj nowe hasło.")],
                                 render_kw={"autocomplete": "new-password"})
    new_password_repeat = PasswordField(
        "Powtórz nowe hasło",
        validators=[InputRequired("Powtórz nowe hasło."),
                    EqualTo("new_password", "Powtórzone hasło różni się od nowego hasła.")],
        render_kw={"autocomplete": "new-password"})
