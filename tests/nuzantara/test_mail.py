"""Without a mail server, a message is noted in the log by its size: no recipient address and no text reach it."""

CLIENT = "giulia.rossi@client.example"


def test_without_email_host_a_mail_leaves_no_address_or_text_in_the_output(run_manage):
    result = run_manage("sendtestemail", CLIENT, env={"EMAIL_HOST": "", "MANAGERS_EMAILS": "curator@client.example"})

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "mail not sent" in output
    assert CLIENT not in output and "client.example" not in output
    assert "If you're reading this" not in output  # the body


def test_the_managers_report_is_noted_without_the_managers_addresses(run_manage):
    result = run_manage("sendtestemail", "--managers", env={"EMAIL_HOST": "", "MANAGERS_EMAILS": CLIENT})

    assert result.returncode == 0, result.stderr
    assert '"recipients": 1' in result.stderr
    assert CLIENT not in result.stdout + result.stderr
