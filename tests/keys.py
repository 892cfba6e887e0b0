"""Key presses that answer an interview prompt acceptably, shared by the terminal tests and the
interview benchmark (they drive the real prompts)."""

DOWN, ENTER = "\x1b[B", "\r"


def keys_for(question) -> str:
    """An acceptable answer for any question of the real questionnaire."""
    t = question.type
    if t in ("choice", "yes_no", "scale"):
        return ENTER
    if t == "multi":
        return " " + ENTER
    if t == "records":
        return DOWN + ENTER  # none to record
    if t == "date":
        return "2027-03-01" + ENTER
    if t == "number":
        spec = question.number
        low = spec.min if spec and spec.min is not None else 1
        return (str(int(low)) if float(low).is_integer() else str(low)) + ENTER
    return "Example answer" + ENTER
