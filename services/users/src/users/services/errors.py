"""The users service's domain errors."""

from todo_common.errors import Forbidden, NotFound, Unauthorized


class ProfileNotFound(NotFound):
    default_detail = "User not found"


class NotYourProfile(Forbidden):
    default_detail = "You may only read or change your own profile"


class TokenWithoutEmail(Unauthorized):
    default_detail = "Token has no email claim to create the profile from"
