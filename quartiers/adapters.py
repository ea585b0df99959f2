"""Adaptation d'allauth : pas d'inscription publique, les comptes sont créés par l'administration."""

from allauth.account.adapter import DefaultAccountAdapter


class AdaptateurCompte(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False
