"""Les formats de dates propres au projet, par langue (`FORMAT_MODULE_PATH`) : ce qu'un module
ne définit pas reste le format de Django pour cette langue."""
