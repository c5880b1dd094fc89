"""newsdesk from other frameworks' side: adapters a program built on them uses directly."""
