"""The staff console (/console, templates under gateway/templates/console): sign-in, the work
list, items and corrections, progress and its figures, reminders, inspections and their
records, one obligation, rectification or report (where notifications land), the inbox and notification settings, reported public answers, feedback, the registry, accounts, webhooks and the administrator's pages."""
from .accounts import ConsoleAccounts
from .admin import ConsoleAdmin
from .calendar import ConsoleCalendar
from .corrections import ConsoleCorrections
from .feedback import ConsoleFeedback
from .inbox import ConsoleInbox
from .figures import ConsoleFigures
from .inspection_records import ConsoleInspectionRecords
from .inspections import ConsoleInspections
from .items import ConsoleItems
from .progress import ConsoleProgress
from .records import ConsoleRecords
from .registry import ConsoleRegistry
from .reported import ConsoleReportedAnswers
from .reminders import ConsoleReminders
from .second_factor import ConsoleSecondFactor
from .signin import ConsoleSignIn
from .webhooks import ConsoleWebhooks
from .work import ConsoleWork


class ConsolePages(ConsoleSignIn, ConsoleSecondFactor, ConsoleWork, ConsoleAccounts, ConsoleItems, ConsoleCorrections, ConsoleProgress,
                   ConsoleFigures, ConsoleReminders, ConsoleInspections, ConsoleInspectionRecords, ConsoleFeedback,
                   ConsoleRegistry, ConsoleAdmin, ConsoleWebhooks, ConsoleCalendar, ConsoleRecords, ConsoleInbox,
                   ConsoleReportedAnswers):
    """Every page of the console."""
