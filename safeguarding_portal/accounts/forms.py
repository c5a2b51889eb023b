from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from .services import email_send


class SignInForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True, "inputmode": "email"}),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": "That email address and password do not match an account. Check both and try again.",
        "inactive": "This account has been switched off. Ask your school's office.",
    }

    def clean_username(self) -> str:
        # Accounts are matched case-insensitively; one spelling in the audit log and the lockout counts.
        return self.cleaned_data["username"].strip().lower()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        error_messages={"required": "Type the code from your authenticator app, or a backup code."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].replace(" ", "").replace("-", "").strip().lower()


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your app",
        max_length=7,  # "123 456", as some apps show it
        error_messages={"required": "Type the 6-digit code your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].replace(" ", "")
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("The code is 6 digits, as your authenticator app shows it.")
        return code


class TwoFactorResetForm(forms.Form):
    """The reason an administrator gives for resetting someone's two-factor sign-in; it goes in the audit log."""

    reason = forms.CharField(
        label="Why is two-factor sign-in being reset?",
        max_length=500,
        help_text="For example: lost phone, reported by phone call to the office on 3 March. Kept in the audit log.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QueuedPasswordResetForm(PasswordResetForm):
    """Sends through the outbox, so a slow or dead mail server never holds the page."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True, "inputmode": "email"}),
    )

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_send(to=[to_email], subject=subject, body=body)
